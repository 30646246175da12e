SELECT t.meter, t.n FROM (SELECT meter, count(*) AS n FROM bronze.readings GROUP BY meter) AS t WHERE t.n > 1 ORDER BY t.meter
