SELECT METER, Load_Kwh FROM bronze.readings WHERE Meter = 'm3'
