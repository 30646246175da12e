SELECT meter FROM bronze.readings r JOIN bronze.meters m ON r.meter = m.meter
