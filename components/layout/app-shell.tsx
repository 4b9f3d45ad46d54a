'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import { useSessionUser } from '@/components/auth/session';
import { describeError } from '@/components/errors/describe-error';
import { useTRPC } from '@/components/trpc/provider';
import { useLiveUpdates } from '@/components/trpc/live-updates';
import { Badge } from '@/components/ui/badge';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import {
  ActivityIcon,
  AlertTriangleIcon,
  CapstanMark,
  CheckCircleIcon,
  GridIcon,
  MenuIcon,
  RocketIcon,
  ShieldIcon,
  SlidersIcon,
  UsersIcon,
  XIcon,
} from '@/components/ui/icons';
import { LiveIndicator } from './live-indicator';
import { SignOutButton } from './sign-out-button';
import { ThemeToggle } from './theme-toggle';

type NavItem = {
  href: string;
  label: string;
  Icon: typeof GridIcon;
  match: (path: string) => boolean;
  admin?: boolean;
};

const NAV: NavItem[] = [
  { href: '/', label: 'Overview', Icon: GridIcon, match: (p) => p === '/' || p.startsWith('/services') },
  { href: '/activity', label: 'Activity', Icon: ActivityIcon, match: (p) => p.startsWith('/activity') },
  { href: '/uptime', label: 'Uptime', Icon: CheckCircleIcon, match: (p) => p.startsWith('/uptime') },
  { href: '/kpis', label: 'KPIs', Icon: RocketIcon, match: (p) => p.startsWith('/kpis') },
  { href: '/audit', label: 'Audit log', Icon: ShieldIcon, match: (p) => p.startsWith('/audit'), admin: true },
  { href: '/users', label: 'Users', Icon: UsersIcon, match: (p) => p.startsWith('/users'), admin: true },
  {
    href: '/settings',
    label: 'Settings',
    Icon: SlidersIcon,
    match: (p) => p.startsWith('/settings'),
    admin: true,
  },
];

const ROLE_TONE = { admin: 'indigo', operator: 'green', developer: 'neutral', viewer: 'neutral' } as const;

function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  const user = useSessionUser();
  const items = NAV.filter((item) => !item.admin || user.role === 'admin');
  const main = items.filter((i) => !i.admin);
  const admin = items.filter((i) => i.admin);
  const link = (item: NavItem) => {
    const active = item.match(pathname);
    return (
      <li key={item.href}>
        <Link
          href={item.href}
          onClick={onNavigate}
          aria-current={active ? 'page' : undefined}
          className={cx(
            'flex h-8 items-center gap-2.5 rounded-md px-2.5 text-sm transition-colors',
            active
              ? 'bg-zinc-200/60 font-medium text-zinc-900 dark:bg-zinc-800 dark:text-zinc-50'
              : 'text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-100',
            focusRing,
          )}
        >
          <item.Icon
            className={cx('size-4', active ? 'text-indigo-600 dark:text-indigo-400' : 'opacity-80')}
          />
          {item.label}
        </Link>
      </li>
    );
  };
  return (
    <nav aria-label="Main" className="space-y-5">
      <ul className="space-y-0.5">{main.map(link)}</ul>
      {admin.length > 0 && (
        <div>
          <p className="px-2.5 pb-1 text-[11px] font-medium tracking-wide text-zinc-400 uppercase dark:text-zinc-500">
            Admin
          </p>
          <ul className="space-y-0.5">{admin.map(link)}</ul>
        </div>
      )}
    </nav>
  );
}

function UserBlock() {
  const user = useSessionUser();
  return (
    <div className="flex items-center gap-2">
      <div
        aria-hidden
        className="flex size-7 shrink-0 items-center justify-center rounded-full bg-indigo-100 text-xs font-semibold text-indigo-700 uppercase dark:bg-indigo-500/20 dark:text-indigo-300"
      >
        {user.email.slice(0, 1)}
      </div>
      <div className="min-w-0 flex-1">
        <p
          className="truncate text-xs font-medium text-zinc-800 dark:text-zinc-200"
          title={user.email}
          data-testid="current-user"
        >
          {user.email}
        </p>
        <Badge tone={ROLE_TONE[user.role]} className="mt-0.5 capitalize" data-status={user.role}>
          {user.role}
        </Badge>
      </div>
      <SignOutButton />
    </div>
  );
}

function Brand() {
  return (
    <Link href="/" className={cx('flex items-center gap-2 rounded-md', focusRing)}>
      <CapstanMark className="size-6" />
      <span className="text-[15px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">
        Capstan
      </span>
    </Link>
  );
}

function StatusBanner({ dockerUp }: { dockerUp: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.services.list.queryOptions());
  const dockerError = list.data?.dockerError ?? null;
  if (list.error && describeError(list.error).code === 'UNAUTHORIZED') {
    return (
      <div
        role="alert"
        className="flex items-center gap-2 border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900 md:px-8 dark:border-amber-500/30 dark:bg-amber-500/10 dark:text-amber-200"
      >
        <AlertTriangleIcon className="size-4 shrink-0" />
        <p>
          Your session has ended.{' '}
          <Link href="/login" className="font-medium underline">
            Sign in again
          </Link>{' '}
          to keep working.
        </p>
      </div>
    );
  }
  if (!dockerError && dockerUp) return null;
  return (
    <div
      role="alert"
      className="flex items-start gap-2 border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800 md:px-8 dark:border-red-500/30 dark:bg-red-500/10 dark:text-red-300"
    >
      <AlertTriangleIcon className="mt-0.5 size-4 shrink-0" />
      <p>
        <span className="font-medium">Docker is unreachable.</span> Replica state is unknown and deploys wait
        until it is back.
        {dockerError && <span className="ml-1 font-mono text-xs opacity-80">{dockerError}</span>}
      </p>
    </div>
  );
}

/** The console frame: navigation, who is signed in, theme, live connection and Docker status. */
export function AppShell({ children }: { children: ReactNode }) {
  const live = useLiveUpdates();
  const [menuOpen, setMenuOpen] = useState(false);
  return (
    <div className="min-h-screen md:flex">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-indigo-600 px-3 py-2 text-sm text-white focus:not-sr-only focus:fixed focus:top-3 focus:left-3"
      >
        Skip to content
      </a>
      {/* The aside runs the full page height (background, border); its content stays in view. */}
      <aside className="z-20 hidden w-60 shrink-0 border-r border-zinc-200 bg-white md:block dark:border-zinc-800 dark:bg-zinc-900/40">
        <div className="sticky top-0 flex h-screen flex-col">
          <div className="flex h-14 items-center justify-between px-4">
            <Brand />
            <LiveIndicator status={live.status} />
          </div>
          <div className="flex-1 overflow-y-auto px-3 py-2">
            <NavLinks />
          </div>
          <div className="space-y-3 border-t border-zinc-200 p-3 dark:border-zinc-800">
            <ThemeToggle className="w-full" />
            <UserBlock />
          </div>
        </div>
      </aside>

      <header className="sticky top-0 z-20 border-b border-zinc-200 bg-white/90 backdrop-blur md:hidden dark:border-zinc-800 dark:bg-zinc-950/90">
        <div className="flex h-12 items-center justify-between px-4">
          <Brand />
          <div className="flex items-center gap-3">
            <LiveIndicator status={live.status} />
            <button
              type="button"
              aria-expanded={menuOpen}
              aria-controls="mobile-nav"
              aria-label={menuOpen ? 'Close menu' : 'Open menu'}
              onClick={() => setMenuOpen((o) => !o)}
              className={cx(
                'rounded-md p-1.5 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800',
                focusRing,
              )}
            >
              {menuOpen ? <XIcon className="size-5" /> : <MenuIcon className="size-5" />}
            </button>
          </div>
        </div>
        {menuOpen && (
          <div id="mobile-nav" className="space-y-4 border-t border-zinc-200 px-3 py-3 dark:border-zinc-800">
            <NavLinks onNavigate={() => setMenuOpen(false)} />
            <ThemeToggle className="w-full" />
            <UserBlock />
          </div>
        )}
      </header>

      <div className="min-w-0 flex-1">
        <StatusBanner dockerUp={live.dockerUp} />
        <main id="main" tabIndex={-1} className="mx-auto max-w-6xl px-4 py-6 outline-none md:px-8 md:py-8">
          {children}
        </main>
      </div>
    </div>
  );
}
