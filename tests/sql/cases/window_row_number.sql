SELECT meter, ts, row_number() OVER (PARTITION BY meter ORDER BY ts) AS rn FROM bronze.readings ORDER BY meter, ts
