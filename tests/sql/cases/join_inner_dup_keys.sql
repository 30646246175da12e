SELECT r.meter, r.load_kwh, m.region FROM bronze.readings r JOIN bronze.meters m ON r.meter = m.meter ORDER BY r.ts, m.region
