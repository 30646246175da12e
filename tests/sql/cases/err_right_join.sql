SELECT * FROM bronze.readings r RIGHT JOIN bronze.meters m ON r.meter = m.meter
