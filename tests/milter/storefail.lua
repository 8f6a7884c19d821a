-- tests/milter/storefail.lua - the store's file system fills up while the
-- milter runs (a real ENOSPC, see t-miltertest.sh): a message that must
-- be held is never accepted - tempfail 451 4.7.1, no recipient deleted,
-- not discarded - clean mail still passes, and once space is back holds
-- work again.  -D fill=CMD fills the file system, -D unfill=CMD frees it.
local T = dofile(dir .. "/lib.lua")
T.run(function()
	local conn = T.start()
	local r = T.message(conn, {qid = "F1", rcpts = {"<cert@cert.be>", "<info@jpcert.or.jp>"},
		body = T.BE_LIST})
	T.check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTDELETE, "<info@jpcert.or.jp>"),
		"before: held recipient deleted")

	T.check(os.execute(fill) ~= nil, "store file system filled")
	local big = {T.BE_LIST}
	for i = 1, 64 do
		table.insert(big, string.rep("filler line that makes the held copy large " .. i .. "\r\n", 100))
	end
	r = T.message(conn, {qid = "F2", rcpts = {"<cert@cert.be>", "<info@jpcert.or.jp>"}, chunks = big})
	-- SMFIR_REPLYCODE: the tempfail with our "451 4.7.1" text (the
	-- wrapper checks the log line).
	T.check(r == SMFIR_REPLYCODE, "full: partial hold -> tempfail reply (got " .. tostring(r) .. ")")
	T.check(not mt.eom_check(conn, MT_RCPTDELETE, "<info@jpcert.or.jp>"), "full: nothing deleted")

	r = T.message(conn, {qid = "F3", rcpts = {"<info@jpcert.or.jp>"}, chunks = big})
	T.check(r == SMFIR_REPLYCODE, "full: all held -> tempfail reply, not discard")

	r = T.message(conn, {qid = "F4", rcpts = {"<info@jpcert.or.jp>"}, body = "clean\r\n"})
	T.check(r == SMFIR_CONTINUE, "full: clean mail still passes")

	T.check(os.execute(unfill) ~= nil, "space freed")
	r = T.message(conn, {qid = "F5", rcpts = {"<cert@cert.be>", "<info@jpcert.or.jp>"}, chunks = big})
	T.check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTDELETE, "<info@jpcert.or.jp>"),
		"after: holds work again")
	mt.disconnect(conn)
end)
