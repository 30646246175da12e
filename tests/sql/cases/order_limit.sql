SELECT meter, load_kwh FROM bronze.readings ORDER BY load_kwh DESC LIMIT 2
