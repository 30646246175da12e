SELECT load_kwh + INTERVAL '1 hour' FROM bronze.readings
