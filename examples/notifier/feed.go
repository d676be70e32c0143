package main

import (
	"math"
	"math/rand/v2"

	"example.com/tentacle-notifier/notify"
)

// sensors are the notifier's sensors, as it injects them for plugins
// (notify.Sensors). The value injected has only the methods a plugin may
// call: a plugin in a process of its own can call an injectable only when
// all its methods take and return values that cross the process boundary.
type sensors []string

func (s sensors) Names() []string { return append([]string(nil), s...) }

// feed makes up the samples a real notifier would read from its sensors:
// the same every run, noise included, with a few incidents to report.
type feed struct {
	sensors sensors
	rnd     *rand.Rand
	seq     int
}

func newFeed() *feed {
	return &feed{sensors: sensors{"boiler", "freezer", "greenhouse"}, rnd: rand.New(rand.NewPCG(1, 2))}
}

// next returns the next sample; the sensors take turns.
func (f *feed) next() notify.Sample {
	f.seq++
	sensor := f.sensors[(f.seq-1)%len(f.sensors)]
	n := float64((f.seq - 1) / len(f.sensors)) // this sensor's step
	noise := f.rnd.NormFloat64() * 0.2
	var v float64
	switch sensor {
	case "boiler": // 60 degrees; its heater fails at step 800, it recovers slowly
		v = 60
		if n >= 800 {
			v -= 12 * math.Exp(-(n-800)/40)
		}
	case "freezer": // -18 degrees; its door stays open from step 400 to 520
		v = -18
		switch {
		case n >= 400 && n < 520:
			v += (n - 400) * 0.08
		case n >= 520:
			v += 9.6 * math.Exp(-(n-520)/15)
		}
	case "greenhouse": // 22 degrees and the sun; a window slams at step 650
		v = 22 + 3*math.Sin(n/100)
		if n == 650 {
			v += 7
		}
	}
	return notify.Sample{Seq: f.seq, Sensor: sensor, Value: math.Round((v+noise)*10) / 10}
}
