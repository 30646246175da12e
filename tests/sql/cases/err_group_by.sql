SELECT meter, load_kwh FROM bronze.readings GROUP BY meter
