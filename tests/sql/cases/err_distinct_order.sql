SELECT DISTINCT meter FROM bronze.readings ORDER BY load_kwh
