SELECT readings.meter FROM bronze.readings WHERE readings.load_kwh < 0
