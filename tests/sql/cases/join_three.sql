SELECT r.meter, m.region, e.load_kwh FROM bronze.readings r JOIN bronze.meters m ON r.meter = m.meter LEFT JOIN bronze.empty e ON e.meter = r.meter WHERE r.load_kwh > 1 ORDER BY 1, 2
