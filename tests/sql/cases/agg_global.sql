SELECT count(*) AS n, count(load_kwh) AS nl, sum(load_kwh) AS s, avg(load_kwh) AS a, min(load_kwh) AS mn, max(load_kwh) AS mx, min(meter) AS first_meter FROM bronze.readings
