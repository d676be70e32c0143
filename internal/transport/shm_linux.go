//go:build linux

package transport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A shared channel carries the calls of one connection through memory that
// both processes map (a memfd the calling side makes and passes over the
// connection), where a call over the socket costs two system calls and two
// wake-ups through the kernel on each side. The calling side writes the
// request into the request buffer and bumps the request number; the
// answering side, which watches it, writes the answer into the answer
// buffer and bumps the answer number. Each side first watches the other's
// number for a short while without sleeping (spinning, which costs about a
// microsecond when the other side is quick), then sleeps on it with a
// futex, and the other side wakes it. A message too large for its buffer
// goes over the socket instead (its length then says viaSocket).
//
// The layout of the memory: a 4 KiB header of numbers, each on a cache line
// of its own, then the two buffers.
const (
	offReqSeq      = 0   // the number of the latest request
	offRespSeq     = 64  // the number of the latest answer
	offServerSleep = 128 // 1 while the answering side sleeps on offReqSeq
	offClientSleep = 192 // 1 while the calling side sleeps on offRespSeq
	offReqLen      = 256 // the latest request's length
	offRespLen     = 320 // the latest answer's length
	offClosed      = 384 // 1 once either side gave up the channel
	headerSize     = 4096
	bufSize        = 64 << 10
	regionSize     = headerSize + 2*bufSize
)

// viaSocket, as a message's length, says that the message went over the
// socket as a frame.
const viaSocket = ^uint32(0)

// upgradeMagic, where a frame's length would be, asks the answering side
// to take the calls of the connection through the memory whose descriptor
// comes with it. It is larger than MaxFrame, so that an answering side that
// does not know it refuses it as a frame too large and closes the
// connection: the calling side then dials again and sends frames.
const upgradeMagic = 0xfffffff0

// Spinning (see spin.go) yields the processor to other processes every
// yieldEvery rounds, so that a spinning side never keeps the side it waits
// for off a busy processor.
const yieldEvery = 256

// A waiter goes through the Go scheduler (runtime.Gosched) at least every
// reschedEvery. A goroutine that only waits and answers never does
// otherwise: it runs on, in and out of system calls, on one scheduling
// tick of its processor (P), and after 10 ms the runtime's monitor thread
// takes it for one that runs too long: it sends its thread a signal and
// takes its P away in the middle of a futex sleep, and then, having found
// work, polls every 20 µs again for a millisecond and more. On a virtual
// machine each of those wake-ups costs microseconds of a core; measured,
// they were about one per call of a plugin called a few thousand times a
// second. Going through the scheduler every few milliseconds starts a new
// tick and keeps the monitor asleep. It is not done on every wait: the
// scheduler then wakes an idle thread to look for work, which costs more
// than it saves. Nor for a waiter that waits rarely (fewer than
// reschedWaits waits since it last did): its long sleeps already go
// through the scheduler when the runtime takes its P during the system
// call, and a reschedule on each of its waits, measured with 50 plugin
// processes on 2 cores, made the printer's send path three times slower.
const (
	reschedEvery = 5 * time.Millisecond
	reschedWaits = 32
)

// reschedule is runtime.Gosched; the tests count its calls.
var reschedule = runtime.Gosched

// maybeReschedule goes through the scheduler if this side's waiter has not
// for reschedEvery and has waited reschedWaits times since (see there);
// now is the time of the wait's start.
func (r *region) maybeReschedule(now time.Time) {
	r.waits++
	if r.waits >= reschedWaits && now.Sub(r.rescheduled) >= reschedEvery {
		r.rescheduled, r.waits = now, 0
		reschedule()
	}
}

// The longest sleep on the futex before the sleeper looks at the socket
// for its peer having gone (a process that died sets no flag): short for
// the calling side, which waits for an answer with a deadline; long for the
// answering side, which waits for calls that may never come.
const (
	clientNap = 20 * time.Millisecond
	serverNap = time.Second
)

// sharedSupported reports whether shared channels are used: on Linux, unless
// SharedMemoryEnv is "off".
func sharedSupported() bool { return os.Getenv(SharedMemoryEnv) != "off" }

// region is the mapped memory of a shared channel.
type region struct {
	mem  []byte
	spin spinner // this side's spin policy

	// rescheduled is when this side's waiter last went through the Go
	// scheduler, and waits how many times it waited since (see
	// reschedEvery).
	rescheduled time.Time
	waits       int
}

func (r *region) word(off int) *uint32 { return (*uint32)(unsafe.Pointer(&r.mem[off])) }
func (r *region) reqBuf() []byte       { return r.mem[headerSize : headerSize+bufSize : headerSize+bufSize] }
func (r *region) respBuf() []byte      { return r.mem[headerSize+bufSize : regionSize : regionSize] }

func (r *region) unmap() {
	if r.mem != nil {
		_ = unix.Munmap(r.mem)
		r.mem = nil
	}
}

// giveUp marks the channel given up by this side and wakes the other.
func (r *region) giveUp() {
	atomic.StoreUint32(r.word(offClosed), 1)
	futexWake(r.word(offReqSeq))
	futexWake(r.word(offRespSeq))
}

func (r *region) closed() bool { return atomic.LoadUint32(r.word(offClosed)) != 0 }

// post publishes n at off (the other side's number to watch), waking the
// other side if it sleeps on it (sleepOff).
func (r *region) post(off, sleepOff int, n uint32) {
	released()
	atomic.StoreUint32(r.word(off), n)
	if atomic.LoadUint32(r.word(sleepOff)) != 0 {
		futexWake(r.word(off))
	}
}

// errGone is the failure of a wait whose peer gave the channel up or went
// away.
var errGone = errors.New("shared channel: the other side is gone")

// await waits until the number at off is n: spinning, then sleeping on it
// (sleepOff set meanwhile) in naps of at most nap, after each of which
// alive is asked whether the peer is still there. It fails with
// os.ErrDeadlineExceeded after deadline (none when zero), with errGone
// when the peer gave the channel up or alive says no.
func (r *region) await(off, sleepOff int, n uint32, deadline time.Time, nap time.Duration, alive func() bool) error {
	word := r.word(off)
	start := time.Now()
	r.maybeReschedule(start)
	defer acquired()
	if atomic.LoadUint32(word) == n {
		r.spin.observe(0)
		return nil
	}
	spin := r.spin.budget()
	if !deadline.IsZero() {
		spin = min(spin, deadline.Sub(start)) // never spin past the deadline
	}
	if spin > 0 && enterSpin() {
		seen := false
		for i := 1; ; i++ {
			if atomic.LoadUint32(word) == n {
				seen = true
				break
			}
			if i%yieldEvery == 0 {
				if time.Since(start) > spin {
					break
				}
				_, _, _ = syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
			}
		}
		leaveSpin()
		if seen {
			r.spin.observe(time.Since(start))
			return nil
		}
	}
	defer func() { r.spin.observe(time.Since(start)) }()
	sleep := r.word(sleepOff)
	for {
		cur := atomic.LoadUint32(word)
		if cur == n {
			return nil
		}
		if r.closed() {
			return errGone
		}
		wait := nap
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return os.ErrDeadlineExceeded
			}
			wait = min(wait, left)
		}
		atomic.StoreUint32(sleep, 1)
		if atomic.LoadUint32(word) == cur { // else posted since: look again
			futexWait(word, cur, wait)
		}
		atomic.StoreUint32(sleep, 0)
		if atomic.LoadUint32(word) != n && !alive() {
			return errGone
		}
	}
}

// The futex operations, on memory shared between processes (so not the
// private ones).
const (
	futexWaitOp = 0
	futexWakeOp = 1
)

func futexWait(addr *uint32, val uint32, d time.Duration) {
	ts := unix.NsecToTimespec(d.Nanoseconds())
	_, _, _ = syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWaitOp, uintptr(val), uintptr(unsafe.Pointer(&ts)), 0, 0)
}

func futexWake(addr *uint32) {
	_, _, _ = syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWakeOp, 1, 0, 0, 0)
}

// peerOpen reports whether the socket's other end is still open: nothing
// to read yet, or something (a read of 0 bytes is the end).
func peerOpen(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	open := true
	var b [1]byte
	_ = raw.Read(func(fd uintptr) bool {
		n, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		open = n > 0 || errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR)
		return true
	})
	return open
}

// offerShared makes a shared channel for the connection c, whose other end
// is an answering side, and offers it; nil and an error when the other
// side did not take it (c is then of no more use).
func offerShared(c net.Conn) (*region, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return nil, errors.New("shared channel: not a unix socket")
	}
	fd, err := unix.MemfdCreate("tentacle-calls", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("shared channel: %w", err)
	}
	defer unix.Close(fd) // the other side has its own once sent
	if err := unix.Ftruncate(fd, regionSize); err != nil {
		return nil, fmt.Errorf("shared channel: %w", err)
	}
	mem, err := unix.Mmap(fd, 0, regionSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("shared channel: %w", err)
	}
	r := &region{mem: mem, spin: spinner{least: callerSpin}}
	var head [4]byte
	binary.BigEndian.PutUint32(head[:], upgradeMagic)
	if _, _, err := uc.WriteMsgUnix(head[:], unix.UnixRights(fd), nil); err != nil {
		r.unmap()
		return nil, fmt.Errorf("shared channel: %w", err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var ack [1]byte
	if _, err := io.ReadFull(c, ack[:]); err != nil {
		r.unmap()
		return nil, fmt.Errorf("shared channel refused: %w", err)
	}
	_ = c.SetReadDeadline(time.Time{})
	return r, nil
}

// readHead reads the first frame header of a connection, taking a shared
// channel's descriptor that may come with it; it returns the header and
// the channel's memory mapped (nil for none).
func readHead(c net.Conn, head *[4]byte) (*region, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		_, err := io.ReadFull(c, head[:])
		return nil, err
	}
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := uc.ReadMsgUnix(head[:], oob)
	if err != nil {
		return nil, err
	}
	var fds []int
	if oobn > 0 {
		if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
			for _, m := range msgs {
				if got, err := unix.ParseUnixRights(&m); err == nil {
					fds = append(fds, got...)
				}
			}
		}
	}
	defer func() {
		for _, fd := range fds {
			_ = unix.Close(fd)
		}
	}()
	if n < len(head) {
		if _, err := io.ReadFull(c, head[n:]); err != nil {
			return nil, err
		}
	}
	if binary.BigEndian.Uint32(head[:]) != upgradeMagic || len(fds) != 1 || !sharedSupported() {
		return nil, nil
	}
	mem, err := unix.Mmap(fds[0], 0, regionSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("shared channel: %w", err)
	}
	if _, err := c.Write([]byte{1}); err != nil {
		_ = unix.Munmap(mem)
		return nil, err
	}
	return &region{mem: mem}, nil
}

// callShared makes one call through the shared channel r of connection c
// (which carries the frames too large for the channel, read with br).
func callShared(c net.Conn, br io.Reader, r *region, req, resp Message, deadline time.Time) error {
	if r.closed() {
		return errGone
	}
	n := atomic.LoadUint32(r.word(offReqSeq)) + 1
	out, err := req.MarshalAppend(r.reqBuf()[:0])
	if err != nil {
		return err
	}
	if len(out) <= bufSize {
		atomic.StoreUint32(r.word(offReqLen), uint32(len(out)))
	} else {
		// Too large: appended into memory of its own, which goes over the
		// socket.
		atomic.StoreUint32(r.word(offReqLen), viaSocket)
		_ = c.SetWriteDeadline(deadline)
		if err := writeEncoded(c, out); err != nil {
			return err
		}
	}
	r.post(offReqSeq, offServerSleep, n)
	if err := r.await(offRespSeq, offClientSleep, n, deadline, clientNap, func() bool { return peerOpen(c) }); err != nil {
		return err
	}
	if size := atomic.LoadUint32(r.word(offRespLen)); size != viaSocket {
		if size > bufSize {
			return fmt.Errorf("shared channel: answer of %d bytes, more than %d", size, bufSize)
		}
		return resp.Unmarshal(r.respBuf()[:size])
	}
	_ = c.SetReadDeadline(deadline)
	return ReadFrame(br, resp)
}

// watchClose waits until the connection c ends, closed by either side (or
// its process gone), and then gives up the channel r, which wakes its
// answering side if it sleeps. It reads nothing: a frame that arrives is
// left for the answering side to read.
func watchClose(c net.Conn, r *region) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	for {
		pending := false
		var b [1]byte
		err := raw.Read(func(fd uintptr) bool {
			n, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
			if errors.Is(err, unix.EAGAIN) {
				return false // wait until readable
			}
			pending = n > 0
			return true
		})
		if err != nil || !pending {
			r.giveUp()
			return
		}
		time.Sleep(time.Millisecond) // a frame being read by the answering side
	}
}

// serveShared answers the calls of the shared channel r of connection c
// until either side gives it up or the connection ends.
func serveShared(c net.Conn, r *region, newReq func() Message, handle func(Message) Message) {
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		watchClose(c, r)
	}()
	defer func() {
		r.giveUp()
		_ = c.Close() // ends the watch
		<-watched
		r.unmap()
	}()
	br := newFrameReader(c)
	// The watch holds the socket's read side while it waits, so the naps
	// cannot look at the socket themselves: the watch gives the channel up
	// when the connection ends, which wakes them.
	alive := func() bool { return true }
	for n := uint32(1); ; n++ {
		if err := r.await(offReqSeq, offServerSleep, n, time.Time{}, serverNap, alive); err != nil {
			return
		}
		req := newReq()
		if size := atomic.LoadUint32(r.word(offReqLen)); size == viaSocket {
			if err := ReadFrame(br, req); err != nil {
				return
			}
		} else if size > bufSize || req.Unmarshal(r.reqBuf()[:size]) != nil {
			return
		}
		resp := handle(req)
		out, err := resp.MarshalAppend(r.respBuf()[:0])
		if err != nil {
			return
		}
		if len(out) <= bufSize {
			atomic.StoreUint32(r.word(offRespLen), uint32(len(out)))
		} else {
			atomic.StoreUint32(r.word(offRespLen), viaSocket)
			if err := writeEncoded(c, out); err != nil {
				return
			}
		}
		r.post(offRespSeq, offClientSleep, n)
	}
}
