SELECT * FROM bronze.readings VERSION AS OF 9
