SELECT meter, count(*) AS n, sum(load_kwh) AS s, max(temp) AS t FROM bronze.readings GROUP BY meter ORDER BY meter
