SELECT meter, sum(load_kwh) AS s, rank() OVER (ORDER BY sum(load_kwh) DESC) AS r FROM bronze.readings GROUP BY meter ORDER BY r
