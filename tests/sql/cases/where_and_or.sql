SELECT meter, load_kwh FROM bronze.readings WHERE meter = 'm1' AND load_kwh > 1 OR meter = 'm3'
