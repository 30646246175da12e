SELECT * FROM bronze.nope
