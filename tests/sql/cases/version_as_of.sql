SELECT count(*) AS n FROM bronze.readings VERSION AS OF 0
