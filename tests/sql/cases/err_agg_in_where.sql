SELECT meter FROM bronze.readings WHERE sum(load_kwh) > 1
