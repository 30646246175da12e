SELECT ts + INTERVAL '1 hour' AS later, ts - INTERVAL '1 day' AS earlier, CAST(ts AS date) + INTERVAL '1 month' AS next_month FROM bronze.readings WHERE meter = 'm1'
