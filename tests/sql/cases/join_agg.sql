SELECT m.region, sum(r.load_kwh) AS total FROM bronze.readings r JOIN bronze.meters m ON r.meter = m.meter GROUP BY m.region ORDER BY total DESC
