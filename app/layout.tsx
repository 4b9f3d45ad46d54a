import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { TRPCReactProvider } from '@/components/trpc/provider';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Capstan', template: '%s · Capstan' },
  description: 'Deployments, scaling and incidents for container services',
};

// Applies the saved or system theme before first paint, so dark mode does not flash.
const themeScript = `(() => { try { const t = localStorage.getItem('capstan-theme'); const d = t ? t === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches; document.documentElement.classList.toggle('dark', d); } catch {} })();`;

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // The page's CSP nonce (proxy.ts): without it the browser would not run the inline theme script.
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen bg-zinc-50 font-sans text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
