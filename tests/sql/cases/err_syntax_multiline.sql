SELECT meter,
  load_kwh
FROM bronze.readings
WHERE load_kwh >> 1
