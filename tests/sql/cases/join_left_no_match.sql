SELECT m.meter, m.region, r.load_kwh FROM bronze.meters m LEFT JOIN bronze.readings r ON m.meter = r.meter AND r.load_kwh > 1 ORDER BY m.meter, m.region
