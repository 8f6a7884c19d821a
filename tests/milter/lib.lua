-- tests/milter/lib.lua - helpers for the miltertest scripts of
-- grondslag-milter (loaded with dofile by each script; run by
-- tests/e2e/t-miltertest.sh, which passes -D bin=, conf=, port=, dir=).
--
--   T.start()                 start the filter, return a connection
--   T.connect(ip)             another connection (conninfo from ip)
--   T.message(conn, m)        one message; returns the eom reply
--   T.check(cond, desc)       count a result ("ok - ..." / "not ok - ...")
--   T.run(fn)                 run the body under pcall, print the summary
-- miltertest prints nothing on a Lua error, hence run() (recipes.md 5).
local T = {}
T.passes, T.fails = 0, 0
T.sock = "inet:" .. (port or "29911") .. "@127.0.0.1"

function T.check(cond, desc)
	if cond then
		print("ok - " .. desc)
		T.passes = T.passes + 1
	else
		print("not ok - " .. desc)
		T.fails = T.fails + 1
	end
end

-- A connection from client ip (internal by default), helo done.
function T.connect(ip)
	local conn = mt.connect(T.sock, 40, 0.25)
	assert(conn, "cannot connect to " .. T.sock)
	assert(mt.conninfo(conn, "client.example.org", ip or "127.0.0.1") == nil, "conninfo")
	assert(mt.getreply(conn) == SMFIR_CONTINUE, "connect reply")
	return conn
end

function T.start()
	mt.startfilter(bin, "-f", "-c", conf)
	return T.connect("127.0.0.1")
end

-- The {rcpt_addr} an MTA reports for recipient r: without <> and
-- without a source route (what Postfix and Sendmail both send).
function T.rcpt_addr(r)
	return (r:gsub("^<", ""):gsub(">$", ""):gsub("^@[^:]*:", ""))
end

-- m: {qid=, from=, rcpts={...}, headers={{name, value}, ...}, body=,
--     chunks={...} (body in pieces), auth=, rcpt_addr= (false: no
--     {rcpt_addr} macro; a table: the value per recipient; default
--     T.rcpt_addr)}
function T.message(conn, m)
	local macros = {"i", m.qid or "NOQID"}
	if m.auth then
		table.insert(macros, "{auth_authen}")
		table.insert(macros, m.auth)
	end
	mt.macro(conn, SMFIC_MAIL, (table.unpack or unpack)(macros))
	assert(mt.mailfrom(conn, m.from or "<sender@ncsc.nl>") == nil, "mailfrom")
	assert(mt.getreply(conn) == SMFIR_CONTINUE, "mailfrom reply")
	for _, r in ipairs(m.rcpts) do
		if m.rcpt_addr == false then
			mt.macro(conn, SMFIC_RCPT, "i", m.qid or "NOQID")
		else
			local a = type(m.rcpt_addr) == "table" and m.rcpt_addr[r] or T.rcpt_addr(r)
			mt.macro(conn, SMFIC_RCPT, "i", m.qid or "NOQID", "{rcpt_addr}", a)
		end
		assert(mt.rcptto(conn, r) == nil, "rcptto " .. r)
		assert(mt.getreply(conn) == SMFIR_CONTINUE, "rcpt reply")
	end
	local headers = m.headers or {{"From", "Sender <sender@ncsc.nl>"},
		{"Subject", m.subject or "test"}}
	for _, h in ipairs(headers) do
		assert(mt.header(conn, h[1], h[2]) == nil, "header " .. h[1])
		assert(mt.getreply(conn) == SMFIR_CONTINUE, "header reply")
	end
	-- no end-of-headers command: the filter declines it (SMFIP_NOEOH),
	-- and miltertest refuses to send what was declined
	for _, b in ipairs(m.chunks or {m.body or "hello\r\n"}) do
		assert(mt.bodystring(conn, b) == nil, "body")
		assert(mt.getreply(conn) == SMFIR_CONTINUE, "body reply")
	end
	assert(mt.eom(conn) == nil, "eom")
	return mt.getreply(conn)
end

-- Public addresses the TEST geo data (tests/geo/country.tsv) places in
-- Belgium and Japan.
T.BE_LIST = "Belgian systems seen:\r\n194.7.1.10\r\n194.7.2.20\r\n194.7.3.30\r\n"
T.JP_LIST = "Japanese systems seen:\r\n133.1.2.3\r\n133.4.5.6\r\n"

function T.run(fn)
	local ok, err = pcall(fn)
	if not ok then
		print("ERROR: " .. tostring(err))
		T.fails = T.fails + 1
	end
	print(string.format("%d passed, %d failed", T.passes, T.fails))
	if T.fails > 0 then error("failures", 0) end
end

return T
