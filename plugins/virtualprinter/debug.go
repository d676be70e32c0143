package virtualprinter

import (
	"strconv"
	"time"
)

// debugHelp is the answer to "!!DEBUG:help".
var debugHelp = []string{
	"echo:Debug commands, sent as !!DEBUG:<command>:",
	"echo:  mangle_checksum_next   the next numbered line fails its checksum",
	"echo:  drop_ok_next           the next ok is not sent",
	"echo:  error <text>           send Error:<text>",
	"echo:  action <name>          send //action:<name>",
	"echo:  busy <seconds>         be busy, with keepalives, for that long",
	"echo:  send <text>            send <text> as a line",
}

// debug runs a debug command, the text after "!!DEBUG:". It answers no
// ok of its own.
func (f *firmware) debug(cmd []byte) {
	name, arg := cmd, []byte(nil)
	if i := indexByte(cmd, ' '); i >= 0 {
		name, arg = cmd[:i], trim(cmd[i+1:])
	}
	switch string(name) {
	case "mangle_checksum_next":
		f.mangleNext = true
	case "drop_ok_next":
		f.dropOK = true
	case "error":
		f.p.say("Error:" + string(arg))
	case "action":
		f.p.say("//action:" + string(arg))
	case "send":
		f.p.sayBytes(arg)
	case "busy":
		s, err := strconv.ParseFloat(string(arg), 64)
		if err != nil || s < 0 {
			f.p.say("echo:busy needs a number of seconds")
			return
		}
		f.setBusy(time.Duration(s*float64(time.Second)), false)
	case "", "help", "?":
		for _, l := range debugHelp {
			f.p.say(l)
		}
	default:
		f.p.say("echo:Unknown debug command: " + string(cmd))
	}
}
