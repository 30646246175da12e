SELECT meter FROM bronze.readings WHERE load_kwh
