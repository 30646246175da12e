SELECT meter FROM bronze.readings ORDER BY load_kwh * -1 NULLS FIRST
