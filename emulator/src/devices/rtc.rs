//! Real-time clock (alarm on line 5): guest-visible wall time, derived from the cycle counter
//! only — `time = base + cycles / CLOCK_HZ` — so a run with a fixed base (`-rtc base=...`) is
//! deterministic. Registers: [`super::regs::rtc`]
//! (SPEC.md §11.10; reading SECONDS_LO latches the rest of the time).

use super::regs::rtc as reg;
use super::CLOCK_HZ;
use crate::bus::{Device, Io};

/// Interrupt line of the RTC alarm.
pub const LINE: u8 = 5;
/// Nanoseconds per cycle at the modeled clock rate.
pub const NS_PER_CYCLE: u64 = 1_000_000_000 / CLOCK_HZ;
/// The base used when none is given (library default): 2026-01-01T00:00:00Z.
pub const DEFAULT_BASE: u64 = 1_767_225_600;

/// The real-time clock.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rtc {
    /// Wall time at cycle 0, in nanoseconds since 1970-01-01T00:00:00Z.
    pub base_ns: u64,
    latch_hi: u32,
    latch_ns: u32,
    /// ALARM (seconds since the epoch).
    pub alarm: u64,
    /// CTRL register (bit 0: alarm armed).
    pub ctrl: u32,
    /// STATUS bit 0: the alarm went off.
    pub fired: bool,
    deadline: u64,
    irq: bool,
    /// Alarms that went off.
    pub alarms: u64,
}

impl Default for Rtc {
    fn default() -> Self {
        Rtc::new(DEFAULT_BASE)
    }
}

impl Rtc {
    /// A clock reading `base` seconds since the epoch at cycle 0.
    pub fn new(base: u64) -> Rtc {
        Rtc {
            base_ns: base.saturating_mul(1_000_000_000),
            latch_hi: 0,
            latch_ns: 0,
            alarm: 0,
            ctrl: 0,
            fired: false,
            deadline: u64::MAX,
            irq: false,
            alarms: 0,
        }
    }

    /// Sets the wall time at cycle 0.
    pub fn set_base(&mut self, secs: u64) {
        self.base_ns = secs.saturating_mul(1_000_000_000);
        self.rearm();
    }

    /// Wall time at cycle `now`, in nanoseconds since the epoch.
    pub fn time_ns(&self, now: u64) -> u64 {
        self.base_ns
            .saturating_add(now.saturating_mul(NS_PER_CYCLE))
    }

    fn rearm(&mut self) {
        self.deadline = if self.ctrl & 1 == 0 {
            u64::MAX
        } else {
            let target = self.alarm.saturating_mul(1_000_000_000);
            target.saturating_sub(self.base_ns).div_ceil(NS_PER_CYCLE)
        };
    }

    /// Register read at cycle `now`.
    pub fn read(&mut self, offset: u32, now: u64) -> Option<u32> {
        Some(match offset {
            reg::SECONDS_LO => {
                let t = self.time_ns(now);
                let secs = t / 1_000_000_000;
                self.latch_hi = (secs >> 32) as u32;
                self.latch_ns = (t % 1_000_000_000) as u32;
                secs as u32
            }
            reg::SECONDS_HI => self.latch_hi,
            reg::NANOS => self.latch_ns,
            reg::ALARM_LO => self.alarm as u32,
            reg::ALARM_HI => (self.alarm >> 32) as u32,
            reg::CTRL => self.ctrl,
            reg::STATUS => self.fired as u32,
            reg::CLOCK_HZ => CLOCK_HZ as u32,
            _ => return None,
        })
    }

    /// Register write.
    pub fn write(&mut self, offset: u32, value: u32) -> Option<()> {
        match offset {
            reg::SECONDS_LO | reg::SECONDS_HI | reg::NANOS | reg::CLOCK_HZ => {}
            reg::ALARM_LO => {
                self.alarm = (self.alarm & !0xFFFF_FFFF) | value as u64;
                self.rearm();
            }
            reg::ALARM_HI => {
                self.alarm = (self.alarm & 0xFFFF_FFFF) | (value as u64) << 32;
                self.rearm();
            }
            reg::CTRL => {
                self.ctrl = value & 1;
                self.rearm();
            }
            reg::STATUS => {
                if value & 1 != 0 {
                    self.fired = false;
                }
            }
            _ => return None,
        }
        Some(())
    }
}

impl Device for Rtc {
    fn name(&self) -> &'static str {
        "RTC"
    }

    fn line(&self) -> Option<u8> {
        Some(LINE)
    }

    fn mmio_read(&mut self, offset: u32, _size: u32, io: &mut Io) -> Option<u32> {
        self.read(offset, io.now)
    }

    fn mmio_write(&mut self, offset: u32, _size: u32, value: u32, _io: &mut Io) -> Option<()> {
        self.write(offset, value)
    }

    /// When the alarm goes off.
    fn next_event(&self) -> u64 {
        self.deadline
    }

    /// The alarm (one-shot: it disarms itself).
    fn service(&mut self, io: &mut Io) {
        if io.now >= self.deadline {
            self.fired = true;
            self.alarms += 1;
            self.irq = true;
            self.ctrl &= !1;
            self.deadline = u64::MAX;
        }
    }

    fn take_irq(&mut self) -> bool {
        std::mem::take(&mut self.irq)
    }

    /// The clock keeps running (the cycle counter restarts at 0, so the base moves on by the
    /// time elapsed); the alarm is disarmed.
    fn reset(&mut self, io: &mut Io) {
        let base_ns = self.time_ns(io.now);
        let alarms = self.alarms;
        *self = Rtc::new(0);
        self.base_ns = base_ns;
        self.alarms = alarms;
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses an `-rtc base=` value: `utc` or `now` (the host's clock at start), a date
/// `YYYY-MM-DD` or date-time `YYYY-MM-DDTHH:MM:SS` (UTC; a trailing `Z` is allowed), or a
/// number of seconds since 1970-01-01T00:00:00Z. Returns seconds since the epoch.
pub fn parse_base(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("utc") || s.eq_ignore_ascii_case("now") {
        return std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|_| "the host clock is before 1970".to_string());
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse()
            .map_err(|_| format!("`{s}` is too large a number of seconds"));
    }
    let bad = || {
        format!(
            "`{s}` is not a time: write utc, seconds since 1970, or a UTC date-time like \
             2026-01-01T00:00:00"
        )
    };
    let s2 = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = match s2.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s2, None),
    };
    let dp: Vec<&str> = date.split('-').collect();
    if dp.len() != 3 || dp[0].len() != 4 {
        return Err(bad());
    }
    let y: i64 = dp[0].parse().map_err(|_| bad())?;
    let mo: u32 = dp[1].parse().map_err(|_| bad())?;
    let d: u32 = dp[2].parse().map_err(|_| bad())?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mdays = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo) || d == 0 || d > mdays[mo as usize - 1] {
        return Err(bad());
    }
    let (mut hh, mut mm, mut ss) = (0u32, 0u32, 0u32);
    if let Some(t) = time {
        let tp: Vec<&str> = t.split(':').collect();
        if tp.len() < 2 || tp.len() > 3 {
            return Err(bad());
        }
        hh = tp[0].parse().map_err(|_| bad())?;
        mm = tp[1].parse().map_err(|_| bad())?;
        if tp.len() == 3 {
            ss = tp[2].parse().map_err(|_| bad())?;
        }
        if hh > 23 || mm > 59 || ss > 59 {
            return Err(bad());
        }
    }
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + (hh * 3600 + mm * 60 + ss) as i64;
    u64::try_from(secs).map_err(|_| format!("`{s}` is before 1970"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_parsing() {
        assert_eq!(parse_base("2026-01-01T00:00:00"), Ok(DEFAULT_BASE));
        assert_eq!(parse_base("2026-01-01"), Ok(DEFAULT_BASE));
        assert_eq!(parse_base("1970-01-01T00:00:01Z"), Ok(1));
        assert_eq!(parse_base("2000-03-01T12:34:56"), Ok(951_914_096));
        assert_eq!(parse_base("12345"), Ok(12345));
        assert!(parse_base("2026-02-30").is_err());
        assert!(parse_base("yesterday").is_err());
        assert!(parse_base("1969-12-31").is_err());
        assert!(parse_base("utc").unwrap() > DEFAULT_BASE - 86_400 * 365);
    }

    #[test]
    fn time_and_alarm() {
        let mut r = Rtc::new(1000);
        assert_eq!(r.read(0x00, 3 * CLOCK_HZ + 5), Some(1003));
        assert_eq!(r.read(0x08, 0), Some(50));
        r.write(0x0C, 1002);
        r.write(0x14, 1);
        assert_eq!(r.next_event(), 2 * CLOCK_HZ);
        r.service(&mut Io::new(2 * CLOCK_HZ, &crate::bus::NO_RAM));
        assert!(r.fired && r.take_irq());
        assert_eq!(r.ctrl, 0);
    }
}
