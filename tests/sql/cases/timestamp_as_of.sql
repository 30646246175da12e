SELECT count(*) AS n FROM bronze.readings TIMESTAMP AS OF '2100-01-01 00:00'
