-- tests/milter/enforce.lua - grondslag-milter in Mode enforce over the
-- milter protocol: per-recipient MT_RCPTDELETE, header insertion,
-- discard when every recipient is held, clean mail untouched, inbound
-- X-Grondslag headers removed, abort mid-message, inbound mail passes,
-- authenticated senders are scanned, many messages on one connection;
-- recipients deleted in the MTA's form (source route dropped, the
-- client's case kept), routing syntax decided for the domain reached,
-- and a held recipient the MTA did not describe ({rcpt_addr}) tempfails.
local T = dofile(dir .. "/lib.lua")
T.run(function()
	local conn = T.start()

	-- 1. Belgian list to CERT.be and JPCERT/CC: JPCERT/CC held.
	local r = T.message(conn, {qid = "Q1", rcpts = {"<cert@cert.be>", "<info@jpcert.or.jp>"},
		body = T.BE_LIST})
	T.check(r == SMFIR_CONTINUE, "partial: eom continue")
	T.check(mt.eom_check(conn, MT_RCPTDELETE, "<info@jpcert.or.jp>"), "partial: jpcert deleted")
	T.check(not mt.eom_check(conn, MT_RCPTDELETE, "<cert@cert.be>"), "partial: cert.be kept")
	T.check(mt.eom_check(conn, MT_HDRADD, "X-Grondslag"), "partial: X-Grondslag added")
	local v = mt.getheader(conn, "X-Grondslag", 0) or ""
	T.check(v:find("^partial; held=1; ref=G") ~= nil, "partial: header value '" .. v .. "'")
	T.check(v:find("wbni%-20%-2%-eu%-csirt") ~= nil, "partial: header names the basis")

	-- 2. The same list only to JPCERT/CC: discarded (stored).
	r = T.message(conn, {qid = "Q2", rcpts = {"<info@jpcert.or.jp>"}, body = T.BE_LIST})
	T.check(r == SMFIR_DISCARD, "all held: discard")

	-- 3. Clean mail to JPCERT/CC: untouched.
	r = T.message(conn, {qid = "Q3", rcpts = {"<info@jpcert.or.jp>"}, body = "no addresses here\r\n"})
	T.check(r == SMFIR_CONTINUE, "clean: continue")
	T.check(not mt.eom_check(conn, MT_HDRADD), "clean: no header")
	T.check(not mt.eom_check(conn, MT_RCPTDELETE, "<info@jpcert.or.jp>"), "clean: not deleted")

	-- 4. Forged inbound X-Grondslag headers are removed, ours added.
	r = T.message(conn, {qid = "Q4", rcpts = {"<cert@cert.be>"}, body = T.BE_LIST,
		headers = {{"From", "x <sender@ncsc.nl>"}, {"X-Grondslag", "deliver; forged"},
			{"Subject", "list"}, {"X-Grondslag-Notice", "yes"}}})
	T.check(r == SMFIR_CONTINUE, "strip: continue")
	T.check(mt.eom_check(conn, MT_HDRDELETE, "X-Grondslag"), "strip: X-Grondslag removed")
	T.check(mt.eom_check(conn, MT_HDRDELETE, "X-Grondslag-Notice"), "strip: X-Grondslag-Notice removed")
	v = mt.getheader(conn, "X-Grondslag", 0) or ""
	T.check(v:find("^deliver;") ~= nil, "strip: our header added: '" .. v .. "'")

	-- 5. Abort mid-message, then the next message is judged afresh.
	mt.macro(conn, SMFIC_MAIL, "i", "Q5")
	assert(mt.mailfrom(conn, "<sender@ncsc.nl>") == nil)
	assert(mt.getreply(conn) == SMFIR_CONTINUE)
	assert(mt.rcptto(conn, "<info@jpcert.or.jp>") == nil)
	assert(mt.getreply(conn) == SMFIR_CONTINUE)
	assert(mt.header(conn, "Subject", "aborted") == nil)
	assert(mt.getreply(conn) == SMFIR_CONTINUE)
	assert(mt.bodystring(conn, T.JP_LIST) == nil)
	assert(mt.getreply(conn) == SMFIR_CONTINUE)
	T.check(mt.abort(conn) == nil, "abort mid-message")
	r = T.message(conn, {qid = "Q6", rcpts = {"<cert@cert.be>"}, body = "after the abort\r\n"})
	T.check(r == SMFIR_CONTINUE and not mt.eom_check(conn, MT_HDRADD),
		"after abort: clean message untouched (nothing left over)")

	-- 6. Japanese list to CERT.be: constituency mismatch, held.
	r = T.message(conn, {qid = "Q7", rcpts = {"<cert@cert.be>"}, body = T.JP_LIST})
	T.check(r == SMFIR_DISCARD, "constituency mismatch: discard")

	-- 7. An IP list split over body chunks is still found.
	r = T.message(conn, {qid = "Q8", rcpts = {"<info@jpcert.or.jp>", "<soc@ncsc.nl>"},
		chunks = {"list: 194.7.1", ".10 and 194.7.2.20\r\n"}})
	T.check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTDELETE, "<info@jpcert.or.jp>")
		and not mt.eom_check(conn, MT_RCPTDELETE, "<soc@ncsc.nl>"),
		"chunked body: jpcert deleted, own domain kept")

	-- 8. Many messages on one connection, alternating.
	local good = 0
	for i = 1, 40 do
		if i % 2 == 0 then
			r = T.message(conn, {qid = "M" .. i, rcpts = {"<cert@cert.be>", "<info@jpcert.or.jp>"},
				body = T.BE_LIST})
			if r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTDELETE, "<info@jpcert.or.jp>")
				and not mt.eom_check(conn, MT_RCPTDELETE, "<cert@cert.be>") then
				good = good + 1
			end
		else
			r = T.message(conn, {qid = "M" .. i, rcpts = {"<info@jpcert.or.jp>"},
				body = "message " .. i .. " without addresses\r\n"})
			if r == SMFIR_CONTINUE and not mt.eom_check(conn, MT_RCPTDELETE, "<info@jpcert.or.jp>")
				and not mt.eom_check(conn, MT_HDRADD) then
				good = good + 1
			end
		end
	end
	T.check(good == 40, "40 messages on one connection: " .. good .. " right")
	mt.disconnect(conn)

	-- 9. Inbound (client not in InternalHosts, not authenticated): passes
	--    untouched, but forged X-Grondslag headers still go.
	local ext = T.connect("198.51.100.7")
	r = T.message(ext, {qid = "I1", from = "<someone@example.org>",
		rcpts = {"<info@jpcert.or.jp>"}, body = T.BE_LIST,
		headers = {{"Subject", "inbound"}, {"X-Grondslag", "deliver; forged"}}})
	T.check(r == SMFIR_CONTINUE, "inbound: continue")
	T.check(not mt.eom_check(ext, MT_RCPTDELETE, "<info@jpcert.or.jp>"), "inbound: not held")
	T.check(mt.eom_check(ext, MT_HDRDELETE, "X-Grondslag"), "inbound: forged header removed")
	T.check(not mt.eom_check(ext, MT_HDRADD), "inbound: no header added")

	-- 10. Authenticated client from outside: outbound, scanned.
	r = T.message(ext, {qid = "A1", auth = "alice", rcpts = {"<info@jpcert.or.jp>"},
		body = T.BE_LIST})
	T.check(r == SMFIR_DISCARD, "authenticated: scanned and held")
	mt.disconnect(ext)

	-- 11. Recipient forms: each time the Belgian list to CERT.be (kept)
	--     and a form of JPCERT/CC (held, deleted as the MTA queued it).
	conn = T.connect("127.0.0.1")
	local forms = {
		{"R1", "<@relay.example:info@jpcert.or.jp>", "<info@jpcert.or.jp>", "source route"},
		{"R2", "<Info@JPCERT.OR.JP>", "<Info@JPCERT.OR.JP>", "mixed case"},
		{"R3", "<cert%jpcert.or.jp@ncsc.nl>", "<cert%jpcert.or.jp@ncsc.nl>", "percent hack"},
		{"R4", "<jpcert.or.jp!cert@ncsc.nl>", "<jpcert.or.jp!cert@ncsc.nl>", "bang path"},
	}
	for _, f in ipairs(forms) do
		r = T.message(conn, {qid = f[1], rcpts = {"<cert@cert.be>", f[2]}, body = T.BE_LIST,
			rcpt_addr = {["<cert@cert.be>"] = "cert@cert.be",
				[f[2]] = T.rcpt_addr(f[2]):lower()}})
		T.check(r == SMFIR_CONTINUE and mt.eom_check(conn, MT_RCPTDELETE, f[3])
			and not mt.eom_check(conn, MT_RCPTDELETE, "<cert@cert.be>"),
			f[4] .. ": deleted as " .. f[3] .. ", CERT.be kept")
		if f[2] ~= f[3] then
			T.check(not mt.eom_check(conn, MT_RCPTDELETE, f[2]),
				f[4] .. ": never the raw " .. f[2])
		end
	end
	-- No {rcpt_addr}: a held recipient cannot be deleted safely: 451,
	-- nothing stored (the count of holds below).
	r = T.message(conn, {qid = "R5", rcpts = {"<cert@cert.be>", "<info@jpcert.or.jp>"},
		body = T.BE_LIST, rcpt_addr = false})
	-- SMFIR_REPLYCODE: the tempfail with our "451 4.7.1" text
	T.check(r == SMFIR_REPLYCODE and not mt.eom_check(conn, MT_RCPTDELETE, "<info@jpcert.or.jp>"),
		"no {rcpt_addr}: tempfail, nothing deleted")
	-- ... but nothing to delete needs none: clean mail passes.
	r = T.message(conn, {qid = "R6", rcpts = {"<info@jpcert.or.jp>"},
		body = "no addresses\r\n", rcpt_addr = false})
	T.check(r == SMFIR_CONTINUE, "no {rcpt_addr}, nothing held: continue")
	mt.disconnect(conn)
end)
