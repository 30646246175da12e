-- wrk: POST the JSON body in the file $MLK_WRK_BODY.
local f = assert(io.open(os.getenv("MLK_WRK_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
wrk.headers["Content-Type"] = "application/json"
f:close()
