SELECT meter FROM bronze.readings WHERE
