SELECT meter, lod_kwh FROM bronze.readings
