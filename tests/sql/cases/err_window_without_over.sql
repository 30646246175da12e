SELECT row_number() FROM bronze.readings
