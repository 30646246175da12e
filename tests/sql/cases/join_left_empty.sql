SELECT r.meter, e.load_kwh FROM bronze.readings r LEFT JOIN bronze.empty e ON r.meter = e.meter
