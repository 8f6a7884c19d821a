-- tests/milter/simulate.lua - Mode simulate: decide, record and mark, but
-- deliver everything (no MT_RCPTDELETE, never discard).
local T = dofile(dir .. "/lib.lua")
T.run(function()
	local conn = T.start()
	local r = T.message(conn, {qid = "S1", rcpts = {"<cert@cert.be>", "<info@jpcert.or.jp>"},
		body = T.BE_LIST})
	T.check(r == SMFIR_CONTINUE, "simulate partial: continue")
	T.check(not mt.eom_check(conn, MT_RCPTDELETE, "<info@jpcert.or.jp>"), "simulate: jpcert not deleted")
	local v = mt.getheader(conn, "X-Grondslag", 0) or ""
	T.check(v:find("^simulate; would%-hold=1;") ~= nil, "simulate: header '" .. v .. "'")

	r = T.message(conn, {qid = "S2", rcpts = {"<info@jpcert.or.jp>"}, body = T.BE_LIST})
	T.check(r == SMFIR_CONTINUE, "simulate all held: continue, not discard")
	v = mt.getheader(conn, "X-Grondslag", 0) or ""
	T.check(v:find("^simulate; would%-hold=1;") ~= nil, "simulate all held: header '" .. v .. "'")

	r = T.message(conn, {qid = "S3", rcpts = {"<info@jpcert.or.jp>"}, body = "clean\r\n",
		headers = {{"Subject", "clean"}, {"X-Grondslag-Test", "forged"}}})
	T.check(r == SMFIR_CONTINUE and not mt.eom_check(conn, MT_HDRADD),
		"simulate clean: continue, no header")
	T.check(mt.eom_check(conn, MT_HDRDELETE, "X-Grondslag-Test"), "simulate: forged header removed")
	mt.disconnect(conn)
end)
