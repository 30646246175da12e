WITH m AS (SELECT DISTINCT meter FROM bronze.readings) SELECT x.meter, y.meter AS other FROM m x JOIN m y ON x.meter < y.meter ORDER BY 1, 2
