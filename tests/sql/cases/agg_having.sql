SELECT meter, sum(load_kwh) AS s FROM bronze.readings GROUP BY meter HAVING sum(load_kwh) > 0 AND count(*) > 1 ORDER BY meter
