SELECT count(*) AS n, sum(load_kwh) AS s, max(meter) AS m FROM bronze.empty
