WITH daily AS (SELECT meter, sum(load_kwh) AS kwh FROM bronze.readings GROUP BY meter) SELECT meter, kwh FROM daily WHERE kwh > 1 ORDER BY meter
