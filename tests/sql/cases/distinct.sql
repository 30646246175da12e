SELECT DISTINCT meter FROM bronze.readings ORDER BY meter
