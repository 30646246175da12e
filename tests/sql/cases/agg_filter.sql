SELECT count(*) FILTER (WHERE load_kwh > 1) AS big, sum(load_kwh) FILTER (WHERE meter = 'm1') AS m1 FROM bronze.readings
