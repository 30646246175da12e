SELECT meter, load_kwh FROM bronze.readings ORDER BY meter DESC, load_kwh
