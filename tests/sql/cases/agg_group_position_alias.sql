SELECT meter AS m, date_trunc('day', ts) AS day, count(*) AS n FROM bronze.readings GROUP BY 1, day ORDER BY m, day
