SELECT meter -- the meter
, load_kwh /* kWh */ FROM bronze.readings
WHERE load_kwh > 3;
