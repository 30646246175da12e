SELECT meter FROM bronze.readings ORDER BY 2
