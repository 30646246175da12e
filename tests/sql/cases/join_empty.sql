SELECT r.meter FROM bronze.readings r JOIN bronze.empty e ON r.meter = e.meter
