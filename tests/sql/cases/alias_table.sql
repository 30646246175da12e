SELECT r.meter FROM bronze.readings AS r WHERE r.load_kwh < 0
