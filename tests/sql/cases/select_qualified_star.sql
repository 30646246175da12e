SELECT m.*, r.load_kwh FROM bronze.meters m JOIN bronze.readings r ON m.meter = r.meter WHERE r.load_kwh > 1
